"""``python -m rosenblatt`` runs the command-line interface."""

from rosenblatt.cli import main

raise SystemExit(main())

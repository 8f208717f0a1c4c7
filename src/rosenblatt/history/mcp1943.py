"""1943: McCulloch and Pitts' threshold units compute logic, but one unit cannot compute XOR.

A unit fires when the weighted sum of its binary inputs reaches its threshold. With
the right weights it is AND, OR, NOT or NAND. A single unit draws one line across the
input square, and no line puts (0, 1) and (1, 0) on one side and (0, 0) and (1, 1) on
the other, so no unit is XOR; a second layer fixes that: XOR = AND(OR, NAND).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from rosenblatt import plot
from rosenblatt.history.milestone import Check, Milestone
from rosenblatt.neuron import MCPNeuron, all_inputs, find_threshold_unit

CLAIM = (
    "A threshold unit computes the logic gates AND, OR, NOT and NAND; no single unit "
    "computes XOR; two layers of units do."
)
RULE = (
    "Supported when each gate's unit gives its truth table on every input; when an "
    "exhaustive search over integer weights in [-3, 3] and every threshold finds no "
    "unit for XOR (and a linear programme finds no real weights either); and when "
    "AND(OR, NAND) gives XOR's truth table."
)


def _realised_functions(max_weight: int = 3) -> set[tuple[int, ...]]:
    """Every truth table of two inputs that some unit with small integer weights gives."""
    inputs = all_inputs(2)
    tables = set()
    weights = range(-max_weight, max_weight + 1)
    for w1, w2 in itertools.product(weights, weights):
        sums = inputs @ np.array([w1, w2])
        for theta in range(-2 * max_weight, 2 * max_weight + 2):
            tables.add(tuple(int(s >= theta) for s in sums))
    return tables


def run(quick: bool = False, seed: int = 0) -> Milestone:
    """Check the gates, search every small unit for XOR, and build XOR from two layers."""
    inputs = all_inputs(2)
    pairs = [(int(a), int(b)) for a, b in inputs]
    truth = {
        "AND": [a & b for a, b in pairs],
        "OR": [a | b for a, b in pairs],
        "NAND": [1 - (a & b) for a, b in pairs],
        "XOR": [a ^ b for a, b in pairs],
    }
    gates = {
        "AND": MCPNeuron.AND(),
        "OR": MCPNeuron.OR(),
        "NAND": MCPNeuron.NAND(),
    }
    gates_right = {
        name: gate(inputs).tolist() == truth[name] for name, gate in gates.items()
    }
    not_gate = MCPNeuron.NOT()
    gates_right["NOT"] = not_gate(np.array([[0], [1]])).tolist() == [1, 0]
    realised = _realised_functions()
    xor, xnor = tuple(truth["XOR"]), tuple(1 - v for v in truth["XOR"])
    xor_search = find_threshold_unit(truth["XOR"])
    hidden = np.column_stack([gates["OR"](inputs), gates["NAND"](inputs)])
    two_layer = MCPNeuron.AND()(hidden).tolist()
    checks = [
        Check(
            "AND, OR, NOT and NAND are single units",
            f"{sum(gates_right.values())} of 4 gates give their truth tables",
            all(gates_right.values()),
        ),
        Check(
            "no single unit computes XOR",
            f"{len(realised)} of the 16 two-input functions; XOR and XNOR by "
            + ("none" if xor not in realised and xnor not in realised else "some unit"),
            xor not in realised and not xor_search,
        ),
        Check(
            "two layers compute XOR",
            f"AND(OR, NAND) gives {two_layer} (XOR: {truth['XOR']})",
            two_layer == truth["XOR"],
        ),
    ]
    numbers: dict[str, Any] = {
        "gates_right": gates_right,
        "functions_realised": len(realised),
        "xor_linear_programme": xor_search.reason,
        "two_layer_xor": two_layer,
    }
    return Milestone(
        year="1943",
        title="McCulloch-Pitts units compute logic",
        claim=CLAIM,
        setup=(
            "The library's MCPNeuron gates on all four binary inputs; every unit with "
            "integer weights in [-3, 3] and integer threshold in [-6, 7] on two inputs "
            f"({7 * 7 * 14} units); scipy's linear programme for real weights."
        ),
        rule=RULE,
        checks=checks,
        numbers=numbers,
        figures=[("Lines of single units, and XOR from two layers", _figure(gates))],
    )


XOR_NAMES = {0: "XOR = 0", 1: "XOR = 1"}


def _figure(gates: dict[str, MCPNeuron]) -> Any:
    fig = plot.new_figure(10, 4.4)
    xs = np.linspace(-0.8, 1.8, 2)
    corners = all_inputs(2)
    for panel, (title, names, outputs) in enumerate(
        [
            (
                "AND and OR are one line each (NAND: AND's, other side)",
                ["AND", "OR"],
                None,
            ),
            (
                "XOR needs two lines: OR and NAND, then AND",
                ["OR", "NAND"],
                [0, 1, 1, 0],
            ),
        ]
    ):
        ax = plot.axes(fig, 1, 2, panel + 1)
        for k, name in enumerate(names):
            w, theta = gates[name].weights, gates[name].threshold
            # the unit fires where w . x >= theta; draw w . x = theta - 1/2
            ax.plot(
                xs,
                (theta - 0.5 - w[0] * xs) / w[1],
                color=plot.PALETTE[k],
                label=f"{name}: {w[0]:g} x1 + {w[1]:g} x2 = {theta - 0.5:g}",
            )
        if outputs is None:
            ax.scatter(corners[:, 0], corners[:, 1], s=80, color="black", zorder=3)
        else:
            ax.fill_between(xs, 0.5 - xs, 1.5 - xs, color=plot.PALETTE[2], alpha=0.15)
            plot.class_points(ax, corners, outputs, XOR_NAMES, size=90, zorder=3)
        ax.set_xlim(-0.8, 1.8)
        ax.set_ylim(-0.8, 1.8)
        ax.set_xlabel("input $x_1$ (0 or 1)")
        ax.set_ylabel("input $x_2$ (0 or 1)")
        ax.set_title(title)
        ax.legend(loc="lower left", fontsize="small")
    fig.suptitle("1943: one threshold unit is one line; XOR needs two")
    return fig

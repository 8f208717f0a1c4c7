"""The McCulloch-Pitts unit, its gates, and the search that proves XOR impossible."""

import itertools

import numpy as np
import pytest

from rosenblatt import MCPNeuron
from rosenblatt.neuron import all_inputs, find_threshold_unit

GATES = {
    "AND": (MCPNeuron.AND, all),
    "OR": (MCPNeuron.OR, any),
    "NAND": (MCPNeuron.NAND, lambda bits: not all(bits)),
    "NOR": (MCPNeuron.NOR, lambda bits: not any(bits)),
    "majority": (MCPNeuron.majority, lambda bits: sum(bits) > len(bits) / 2),
}


@pytest.mark.parametrize("gate", sorted(GATES))
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_gates_compute_their_function_for_any_number_of_inputs(
    gate: str, n: int
) -> None:
    make, truth = GATES[gate]
    table = make(n).truth_table()
    assert len(table) == 2**n
    for inputs, output in table:
        assert output == int(truth(inputs)), (inputs, output)


def test_not_uses_absolute_inhibition() -> None:
    assert MCPNeuron.NOT().truth_table() == [((0,), 1), ((1,), 0)]


def test_absolute_inhibition_overrides_any_excitation() -> None:
    # Two strong excitatory inputs and one inhibitory: the inhibitory one vetoes.
    unit = MCPNeuron([5.0, 5.0, 1.0], threshold=1, inhibitory=[False, False, True])
    assert unit([1, 1, 0]) == 1
    assert unit([1, 1, 1]) == 0


def test_threshold_is_reached_not_exceeded() -> None:
    unit = MCPNeuron([1.0, 1.0], threshold=2)
    np.testing.assert_array_equal(unit([[1, 1], [1, 0]]), [1, 0])  # 2 >= 2 fires


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match="expected inputs of length 2, got 3"):
        MCPNeuron.AND(2)([1, 0, 1])
    with pytest.raises(ValueError, match="binary inputs"):
        MCPNeuron.AND(2)([0.5, 1])
    with pytest.raises(ValueError, match="2 inhibitory flags"):
        MCPNeuron([1.0, 1.0], 1, inhibitory=[True])
    with pytest.raises(ValueError, match="positive number of inputs"):
        MCPNeuron.AND(0)


def test_the_search_finds_every_two_input_function_except_xor_and_xnor() -> None:
    found = {}
    for outputs in itertools.product((0, 1), repeat=4):
        result = find_threshold_unit(list(outputs))
        found[outputs] = bool(result)
        if result:  # the unit it returns really computes the table
            assert [y for _, y in result.neuron.truth_table()] == list(outputs)
    impossible = [outputs for outputs, ok in found.items() if not ok]
    assert impossible == [(0, 1, 1, 0), (1, 0, 0, 1)]  # XOR and XNOR


def test_xor_has_no_unit_and_the_reason_says_why() -> None:
    result = find_threshold_unit([0, 1, 1, 0])
    assert result.neuron is None
    assert result.reason.startswith("not linearly separable")


def test_parity_of_three_inputs_is_not_separable_either() -> None:
    parity = [sum(bits) % 2 for bits in itertools.product((0, 1), repeat=3)]
    assert not find_threshold_unit(parity)


def test_a_separable_table_may_need_larger_weights() -> None:
    # x1 + x2 + x3 + 3 x4 >= 3 ... needs a weight of 3: with max_weight=1 none is found.
    unit = MCPNeuron([1.0, 1.0, 1.0, 3.0], threshold=3)
    outputs = [y for _, y in unit.truth_table()]
    assert find_threshold_unit(outputs, max_weight=3)
    small = find_threshold_unit(outputs, max_weight=1)
    assert not small and "beyond +-1" in small.reason


def test_search_input_errors() -> None:
    with pytest.raises(ValueError, match=r"expected 2\*\*n outputs"):
        find_threshold_unit([0, 1, 1])
    with pytest.raises(ValueError, match="outputs of 0 or 1"):
        find_threshold_unit([0, 2, 1, 0])
    assert all_inputs(2).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]

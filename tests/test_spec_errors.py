"""Malformed specs: each gives one clear error with the file, line and path.

The wording is part of the interface, so each whole message is asserted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc import ConvCalcError
from convcalc.network import summarize
from convcalc.spec import load_spec

MALFORMED = [
    pytest.param(
        "layers: [Conv2d: [8, 3]\n",
        "net.yaml:2:1: invalid YAML: the '[' at line 1, column 9 is not closed; add ']' (or a ',' between items)",
        id="bad-yaml",
    ),
    pytest.param(
        "layers:\n  - ReLU\n - Tanh\n",
        "net.yaml:3:2: invalid YAML: this line's indentation does not match the mapping that starts at line 1, column 1; indent the entries of one list, or the keys of one mapping, to the same column",
        id="bad-indent",
    ),
    pytest.param(
        "layers:\n\t- ReLU\n",
        "net.yaml:2:1: invalid YAML: a tab character; YAML indents with spaces only: replace the tab with spaces",
        id="tab",
    ),
    pytest.param(
        "",
        "net.yaml: the spec is empty; it needs at least 'layers:'",
        id="empty",
    ),
    pytest.param(
        "# nothing here\n",
        "net.yaml: the spec is empty; it needs at least 'layers:'",
        id="only-comment",
    ),
    pytest.param(
        "layers: [ReLU]\n---\nlayers: [Tanh]\n",
        "net.yaml:2:1: invalid YAML: the file holds several YAML documents; give one",
        id="two-documents",
    ),
    pytest.param(
        "- ReLU\n- Tanh\n",
        "net.yaml:1:1: the spec must be a mapping with 'layers:' (and optionally 'name:', 'input:', 'blocks:')",
        id="not-a-mapping",
    ),
    pytest.param(
        "name: x\ninput: [1, 3, 8, 8]\n",
        "net.yaml:1:1: missing 'layers:', the list of the network's layers",
        id="no-layers",
    ),
    pytest.param(
        "layers: []\n",
        "net.yaml:1:9: layers: expected a non-empty list of layers",
        id="empty-layers",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayer:\n  - ReLU\n",
        "net.yaml:2:1: layer: unknown key 'layer' (did you mean 'layers'?)",
        id="unknown-top-key",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - conv2d: [8, 3]\n",
        "net.yaml:3:5: layers[0]: unknown layer type 'conv2d' (did you mean 'Conv2d'?)",
        id="unknown-layer",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - nn.Conv2d: [8, 3]\n",
        "net.yaml:3:5: layers[0]: unknown layer type 'nn.Conv2d' (did you mean 'Conv2d'?)",
        id="nn-prefix",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2D: [8, 3]\n",
        "net.yaml:3:5: layers[0]: unknown layer type 'Conv2D' (did you mean 'Conv2d'?)",
        id="wrong-case",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 8, kernal_size: 3}\n",
        "net.yaml:3:31: layers[0].Conv2d.kernal_size: Conv2d has no argument 'kernal_size' (did you mean 'kernel_size'?)",
        id="typo-key",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [8, 3]\n    ReLU: null\n",
        "net.yaml:3:5: layers[0]: an entry holds one layer type, besides id/from/repeat/trainable/train_only; found 2 layer types (Conv2d, ReLU)",
        id="two-types",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 8, kernel_size: 3, bias: yes}\n",
        "net.yaml:3:53: layers[0].Conv2d.bias: 'yes' is read as a boolean by YAML; write true or false (or quote it for a string)",
        id="yes-bool",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [010, 3]\n",
        "net.yaml:3:14: layers[0].Conv2d[0]: '010' is not a plain decimal integer (YAML reads leading zeros as octal and 1:30 as 90); write it in decimal",
        id="octal",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [8, 1:30]\n",
        "net.yaml:3:17: layers[0].Conv2d[1]: '1:30' is not a plain decimal integer (YAML reads leading zeros as octal and 1:30 as 90); write it in decimal",
        id="sexagesimal",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: {out_channels: 8, kernel_size: 3, kernel_size: 5}\n",
        "net.yaml:3:47: layers[0].Conv2d.kernel_size: duplicate key 'kernel_size' (first given on line 3); YAML would silently keep only the last",
        id="duplicate-key",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\ninput: [1, 3, 9, 9]\nlayers: [ReLU]\n",
        "net.yaml:2:1: input: duplicate key 'input' (first given on line 1); YAML would silently keep only the last",
        id="duplicate-top",
    ),
    pytest.param(
        "input: [1, 3, eight, 8]\nlayers: [ReLU]\n",
        "net.yaml:1:15: input[2]: expected a size of 0 or more, got 'eight'",
        id="bad-input",
    ),
    pytest.param(
        "input: [1, 3, -8, 8]\nlayers: [ReLU]\n",
        "net.yaml:1:15: input[2]: expected a size of 0 or more, got -8",
        id="negative-input",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [8, 3]\n  - Conv2d: [8, 9]\n",
        "net.yaml:4: layers[1] Conv2d: input 6x6 padded to 6x6 is smaller than the dilated kernel 9x9; use a smaller kernel or dilation, more padding, or a larger input",
        id="kernel-too-big",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [8, three]\n",
        "net.yaml:3: layers[0] Conv2d: kernel_size must be an integer or a list of integers, got 'three'",
        id="string-kernel",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [8, 3]\n    id: a\n  - Add:\n    from: [a, b]\n",
        "net.yaml:6:11: layers[1].from[1]: no earlier entry has id 'b'; an entry can only take input from 'input' or earlier ids (a)",
        id="unknown-from",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU:\n    id: a\n    from: b\n  - ReLU:\n    id: b\n    from: a\n",
        "net.yaml:5:11: layers[0].from: no earlier entry has id 'b'; an entry can only take input from 'input' or earlier ids",
        id="cycle-from",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n  - ReLU:\n    from: 1\n",
        "net.yaml:5:11: layers[1].from: a relative 'from' counts back from this entry: use -1 for the previous one, not 1",
        id="from-positive",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n  - ReLU:\n    from: -5\n",
        "net.yaml:5:11: layers[1].from: 'from: -5' reaches before the first entry; only 1 come before this one",
        id="from-too-far",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n  - Add\n",
        "net.yaml:4:5: layers[1]: Add takes two or more inputs: give 'from: [a, b]'",
        id="add-one-input",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [8, 3]\n    id: a\n  - Add:\n    from: [a, input]\n",
        "net.yaml:5: layers[1] Add: shapes 1x8x6x6 and 1x3x8x8 do not broadcast: dimension 1 has sizes 3, 8",
        id="add-mismatch",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU:\n    repeat: 1000000000\n",
        "net.yaml:4:13: layers[0].repeat: repeat 1,000,000,000 is more than the limit of 10,000",
        id="huge-repeat",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU:\n    repeat: -1\n",
        "net.yaml:4:13: layers[0].repeat: expected an integer of 0 or more, got -1",
        id="negative-repeat",
    ),
    pytest.param(
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nlayers: [ReLU]\n",
        "net.yaml:1:20: f[6][3][5][4][7][4]: the document expands to more than 500,000 values (aliases repeat what they point to); write it out smaller",
        id="alias-bomb",
    ),
    pytest.param(
        "layers: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        "net.yaml:1:49: layers[0][0][0][0][0][0][0][0][0][0][0][…: nesting deeper than 40 levels",
        id="deep-nesting",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nblocks:\n  B:\n    params: {width: null}\n    layers:\n      - Conv2d: ['${width}', 3]\nlayers:\n  - B\n",
        "net.yaml:8:5: layers[0]: block B needs width",
        id="block-missing-param",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nblocks:\n  B:\n    params: {width: 4}\n    layers:\n      - Conv2d: ['${width}', 3]\nlayers:\n  - B: {widht: 8}\n",
        "net.yaml:8:9: layers[0].B.widht: block B has no parameter 'widht' (did you mean 'width'?)",
        id="block-unknown-param",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nblocks:\n  B:\n    params: {width: 4}\n    layers:\n      - Conv2d: ['${width << 40}', 3]\nlayers:\n  - B\n",
        "net.yaml:6:18: blocks.B.layers[0].Conv2d[0]: unexpected '<<' in ${width << 40}; use + - * / // % ** and parentheses",
        id="block-bad-expression",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nparams: {width: 4}\nlayers:\n  - Conv2d: ['${width ** 10 ** 9}', 3]\n",
        "net.yaml:4:14: layers[0].Conv2d[0]: a number far beyond any size in ${width ** 10 ** 9}",
        id="power-past-any-size",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nparams: {w_m: -2.0}\nlayers:\n  - Conv2d: ['${int(w_m ** 0.5)}', 3]\n",
        "net.yaml:4:14: layers[0].Conv2d[0]: -2.0 to the power 0.5 is not a real number in ${int(w_m ** 0.5)}",
        id="power-not-real",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nparams: {w_a: 0}\nlayers:\n  - Conv2d: ['${round(log(w_a))}', 3]\n",
        "net.yaml:4:14: layers[0].Conv2d[0]: log(): 0 is not positive in ${round(log(w_a))}",
        id="log-of-zero",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: ['${round(log(8, 1))}', 3]\n",
        "net.yaml:3:14: layers[0].Conv2d[0]: log(): the base must be positive and not 1, got 1 in ${round(log(8, 1))}",
        id="log-base-one",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: ['${len(range(10 ** 9))}', 3]\n",
        "net.yaml:3:14: layers[0].Conv2d[0]: range(): more than 10,000 numbers in ${len(range(10 ** 9))}",
        id="range-too-long",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [\"${int(float('nan'))}\", 3]\n",
        "net.yaml:3:14: layers[0].Conv2d[0]: float(): takes a number in ${int(float('nan'))}",
        id="float-of-text",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nblocks:\n  B:\n    params: {width: 4}\n    layers:\n      - Conv2d: ['${widht * 2}', 3]\nlayers:\n  - B\n",
        "net.yaml:6:18: blocks.B.layers[0].Conv2d[0]: unknown parameter 'widht' in ${widht * 2} (did you mean 'width'?)",
        id="block-unknown-name-in-expr",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nblocks:\n  B:\n    layers:\n      - B\nlayers:\n  - B\n",
        "net.yaml:5:9: blocks.B.layers[0]: blocks nest deeper than 16 levels (does B use itself?)",
        id="block-recursive",
    ),
    pytest.param(
        "layers:\n  - Conv2d: ['${in_channels * 2}', 3]\n",
        "net.yaml:2:14: layers[0].Conv2d[0]: ${...} reads the incoming tensor, so the spec needs an input shape: add 'input:' (or give one with -i)",
        id="tensor-without-input",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nblocks:\n  B:\n    params: {w: 4}\n    layers:\n      - Conv2d: [\"${__import__('os').system('echo hi')}\", 3]\nlayers:\n  - B\n",
        "net.yaml:6:18: blocks.B.layers[0].Conv2d[0]: unknown function \"__import__('os').system\" in ${__import__('os').system('echo hi')}; the functions are min, max, round, ceil, floor, int, float, abs, len, sum, log, range, make_divisible",
        id="eval-attempt",
    ),
    pytest.param(
        "input: [64, 1, 28, 28]\nlayers:\n  - Conv2d: [20, 5]\n  - MaxPool2d: 2\n  - Conv2d: [50, 5]\n  - MaxPool2d: 2\n  - Flatten\n  - Linear: {in_features: 500, out_features: 500}\n",
        "net.yaml:8: layers[5] Linear: in_features is 500, but the incoming tensor flattens to 800 (= 50×4×4); leave in_features out to infer it, or make it 800",
        id="linear-mismatch",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nname: 2024-01-01\nlayers: [ReLU]\n",
        "net.yaml:2:7: name: '2024-01-01' has YAML type timestamp; quote it for a string",
        id="timestamp",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - 42\n",
        "net.yaml:3:5: layers[0]: expected a layer such as 'ReLU' or 'Conv2d: [16, 3]', got 42",
        id="entry-number",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU:\n    trainable: maybe\n",
        "net.yaml:4:16: layers[0].trainable: expected true or false, got 'maybe'",
        id="trainable-string",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - BatchNorm2d\n    id: bn\n",
        "net.yaml:4:7: invalid YAML: a ':' here makes a key where a plain value already stands; after a bare name such as '- BatchNorm2d', add a colon ('- BatchNorm2d:') so that the keys below belong to it, and quote a value that contains ': '",
        id="id-under-bare-name",
    ),
    pytest.param(
        "layers:\n  - Conv2d: [20, 5]\n   - ReLU\n",
        "net.yaml:3:4: invalid YAML: this line's indentation does not match the list that starts at line 2, column 3; indent the entries of one list, or the keys of one mapping, to the same column",
        id="list-indent",
    ),
    pytest.param(
        "layers:\n  - 'ReLU\n",
        "net.yaml:3:1: invalid YAML: the quoted string that starts at line 2, column 5 is not closed; add the closing quote",
        id="open-quote",
    ),
    pytest.param(
        "layers:\n  - Conv2d: {out_channels: 8\n",
        "net.yaml:3:1: invalid YAML: the '{' at line 2, column 13 is not closed; add '}' (or a ',' between items)",
        id="open-brace",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: [" + "9" * 5000 + ", 3]\n",
        "net.yaml:3:14: layers[0].Conv2d[0]: an integer of 5,000 digits is far beyond any size PyTorch can hold (at most 19 digits, int64); check the number",
        id="huge-integer",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ChanelShuffle: 2\n",
        "net.yaml:3:5: layers[0]: unknown layer type 'ChanelShuffle' (did you mean 'ChannelShuffle'?)",
        id="unknown-type-points-at-name",
    ),
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d(1, 20, __import__('os'))\n",
        "net.yaml:3:5: layers[0]: \"Conv2d(1, 20, __import__('os'))\": \"__import__('os')\" is not a literal; arguments are numbers, strings, True/False/None, or tuples of them (the text is read, never run)",
        id="call-not-literal",
    ),
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - os.system('ls')\n",
        "net.yaml:3:5: layers[0]: 'os.system' is not a layer type; call one by its torch.nn name, such as Conv2d(1, 20, 5) or nn.Linear(800, 500)",
        id="call-not-a-layer",
    ),
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d(1, 20, 5, strid=2)\n",
        "net.yaml:3:5: layers[0]: Conv2d has no argument 'strid' (did you mean 'stride'?)",
        id="call-typo",
    ),
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d(1, 20, 5\n",
        "net.yaml:3:5: layers[0]: cannot read 'Conv2d(1, 20, 5' as a PyTorch call: '(' was never closed",
        id="call-syntax",
    ),
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d(3, 20, 5)\n",
        "net.yaml:3: layers[0] Conv2d: in_channels is 3, but the incoming tensor has 1 channels (input 1x1x28x28); leave in_channels out to infer it, or make it 1",
        id="call-wrong-in-channels",
    ),
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d(1, 20, 5, 1, 0, 1, 1, True, 'zeros', 7)\n",
        "net.yaml:3:5: layers[0]: Conv2d takes at most 9 positional arguments (in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode), got 10",
        id="call-too-many",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n  - Add: {from: [input, -1]}\n    from: input\n",
        "net.yaml:4:17: layers[1].Add.from: 'from' is given twice, beside the entry and in its arguments; keep one",
        id="from-twice",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nparams: {xs: [1, 2]}\nlayers:\n  - Conv2d: ['${ {xs[1:]: 4}[{}] }', 3]\n",
        "net.yaml:4:14: layers[0].Conv2d[0]: {} cannot choose from a table in ${ {xs[1:]: 4}[{}] }; choose with a number, a string or a list",
        id="table-chosen-by-a-table",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: ['${ { {1: 2}: 3 }[1] }', 3]\n",
        "net.yaml:3:14: layers[0].Conv2d[0]: {1: 2} cannot be a key of a table in ${ { {1: 2}: 3 }[1] }; a key is a number, a string or a list",
        id="table-keyed-by-a-table",
    ),
    pytest.param(
        'input: [1, 3, 8, 8]\ninclude: "a\\0b.yaml"\nlayers:\n  - ReLU\n',
        "net.yaml:2:10: include: a path cannot hold a NUL character (\\0)",
        id="include-nul",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nparams:\n  t: '${ {1: 2} }'\nlayers:\n  - Conv2d: ['${t}', 1]\n",
        "net.yaml:5: layers[0] Conv2d: out_channels must be an integer, got {1: 2}",
        id="table-as-an-argument",
    ),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_malformed_spec_gets_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ConvCalcError) as info:
        summarize(load_spec(text, source="net.yaml"))
    assert str(info.value) == message


def test_the_corpus_is_large() -> None:
    assert len(MALFORMED) >= 30


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_malformed_spec_through_the_cli(text: str, message: str) -> None:
    """Through `convcalc net -`: exit 1, the same message on one line, no traceback."""
    from click.testing import CliRunner

    from convcalc.cli import cli

    result = CliRunner().invoke(cli, ["net", "-"], input=text, prog_name="convcalc")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: " + message.replace("net.yaml", "<stdin>", 1) + "\n"
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------------------------
# fuzzing: whatever a spec holds, the answer is a summary or one ConvCalcError


def _entries() -> st.SearchStrategy[Any]:
    from convcalc.layers import layer_types

    names = [*sorted(layer_types()), "Add", "Mul", "Concat", "conv2d", "Nope"]
    keys = [
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "out_channels",
        "groups",
        "size",
        "scale_factor",
        "mode",
        "dim",
        "p",
        "output_size",
        "start_dim",
        "bias",
        "typo",
    ]
    scalars = (
        st.integers(-3, 12)
        | st.sampled_from([0.5, 2.0, -1.5])
        | st.booleans()
        | st.none()
        | st.sampled_from(["same", "valid", "nearest", "reflect", "x", "${w}", ""])
    )
    values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(keys), inner, max_size=3)
        ),
        max_leaves=6,
    )
    entry = st.one_of(
        st.sampled_from(names),
        st.builds(lambda name, value: {name: value}, st.sampled_from(names), values),
        st.builds(
            lambda name, value, source: {name: value, "from": source},
            st.sampled_from(names),
            values,
            st.sampled_from([-1, -2, "input", ["input", -1], "nowhere", 3]),
        ),
    )
    return st.lists(entry, min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=5), st.data())
def test_any_spec_gives_a_summary_or_one_clear_error(
    input_shape: list[int], data: st.DataObject
) -> None:
    document = {"input": input_shape, "layers": data.draw(_entries())}
    message = ""
    try:
        summarize(load_spec(json.dumps(document)))
    except ConvCalcError as exc:  # any other exception fails the test with its traceback
        message = str(exc)
    assert "\n" not in message

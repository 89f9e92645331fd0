"""A network's arithmetic explained, and its flatten sizes derived."""

from __future__ import annotations

from convcalc.analysis import explain_network
from convcalc.network import LayerSpec, Network, sequential
from convcalc.spec import load_spec_file


def test_lenet_derives_800() -> None:
    work = explain_network(load_spec_file("lenet"))
    assert work.derivations == (
        "800 = 50 × 4 × 4; 4 = ⌊(8 − 2)/2⌋ + 1; 8 = 12 − 5 + 1; 12 = ⌊(24 − 2)/2⌋ + 1; "
        "24 = 28 − 5 + 1",
    )
    lines = work.lines()
    assert lines[:3] == [
        "conv2d_1: Conv2d(1, 20, 5)  64x1x28x28 -> 64x20x24x24",
        "  H_out = ⌊(28 + 2·0 − 1·(5−1) − 1) / 1⌋ + 1 = 24",
        "  W_out = ⌊(28 + 2·0 − 1·(5−1) − 1) / 1⌋ + 1 = 24",
    ]
    assert lines[-1] == "flatten: " + work.derivations[0]


def test_every_derivation_step_is_true() -> None:
    """Each ``a = expression`` of every derivation evaluates to a."""
    networks = [load_spec_file(name) for name in ("lenet", "alexnet", "vgg16")]
    for network in [*networks, _mixed()]:
        for line in explain_network(network).derivations:
            for step in line.split("; "):
                left, right = step.split(" = ")
                python = (
                    right.replace("⌊", "(").replace("⌋", ")").replace("×", "*").replace("−", "-")
                    .replace("/", "//").replace("·", "*").replace("⌈", "(-(-").replace("⌉", "))")
                )  # fmt: skip
                assert int(left) == eval(python), step  # noqa: S307 - our own arithmetic text


def _mixed() -> Network:
    return sequential(
        [
            LayerSpec("Conv2d", (4, 3), (("stride", 2),)),
            LayerSpec("MaxPool2d", (3,), (("stride", 2), ("ceil_mode", True))),
            LayerSpec("ZeroPad2d", ((0, 1, 2, 3),)),
            LayerSpec("ConvTranspose2d", (2, 3), (("stride", 2), ("padding", 1))),
            "Flatten",
        ],
        input_shape=(1, 1, 10, 9),
    )


def test_unread_rows_and_ceil_windows_are_flagged() -> None:
    work = explain_network(_mixed())
    assert work.lines() == [
        "conv2d_1: Conv2d(1, 4, 3, stride=2)  1x1x10x9 -> 1x4x4x4",
        "  H_out = ⌊(10 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 4",
        "    note: stride 2 leaves the last input row unused",
        "  W_out = ⌊(9 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 4",
        "maxpool2d_2: MaxPool2d(3, stride=2, ceil_mode=True)  1x4x4x4 -> 1x4x2x2",
        "  H_out = ⌊(4 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 + 1 = 2",
        "    note: ceil mode adds a last, partial window (the + 1 after the floor)",
        "  W_out = ⌊(4 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 + 1 = 2",
        "    note: ceil mode adds a last, partial window (the + 1 after the floor)",
        "zeropad2d_3: ZeroPad2d((0, 1, 2, 3))  1x4x2x2 -> 1x4x7x3",
        "  H_out = 2 + 2 + 3 = 7",
        "  W_out = 2 + 0 + 1 = 3",
        "convtranspose2d_4: ConvTranspose2d(4, 2, 3, stride=2, padding=1)  1x4x7x3 -> 1x2x13x5",
        "  H_out = (7 − 1)·2 − 2·1 + 1·(3−1) + 0 + 1 = 13",
        "  W_out = (3 − 1)·2 − 2·1 + 1·(3−1) + 0 + 1 = 5",
        "flatten_5: Flatten()  1x2x13x5 -> 1x130",
        "flatten: 130 = 2 × 13 × 5; 13 = (7 − 1)·2 − 2 + 2 + 1; 7 = 2 + 2 + 3; "
        "2 = ⌊(4 − 3)/2⌋ + 1 + 1; 4 = ⌊(10 − 3)/2⌋ + 1; 5 = (3 − 1)·2 − 2 + 2 + 1; "
        "3 = 2 + 0 + 1; 4 = ⌊(9 − 3)/2⌋ + 1",
    ]


def test_training_only_heads_are_explained_in_train_mode_only() -> None:
    """GoogLeNet's auxiliary classifiers run only in training: eval explains the main path
    (from 75 pixels for Inception v3, as PyTorch runs it), train the heads too."""
    googlenet = load_spec_file("googlenet")
    eval_work = explain_network(googlenet)
    train_work = explain_network(googlenet, (2, 3, 224, 224), mode="train")
    heads = [w.name for w in train_work.layers if w.name.startswith("aux")]
    assert heads
    assert not [w.name for w in eval_work.layers if w.name.startswith("aux")]
    assert len(train_work.derivations) == len(eval_work.derivations) + 2  # each head flattens
    small = explain_network(load_spec_file("inception_v3"), (1, 3, 75, 75))
    assert small.layers[-1].output_shape == (1, 1000)


def test_a_spec_whose_layers_follow_the_input_is_explained_for_the_input_given() -> None:
    """TensorFlow's SAME pads 8 unevenly (a ZeroPad2d entry) and 9 evenly (none): the
    explanation, the fields and the valid sizes are those of the network at that input."""
    from convcalc.analysis import receptive_field, valid_inputs
    from convcalc.spec import load_spec

    network = load_spec(
        "input: [1, 1, 8, 8]\n"
        "layers:\n"
        "  - Conv2d: {out_channels: 4, kernel_size: 3, stride: 2, padding: tf_same}\n"
        "  - ReLU\n"
    )
    assert explain_network(network).layers[0].name.startswith("zeropad2d")
    work = explain_network(network, (1, 1, 9, 9))
    assert [w.name for w in work.layers] == ["conv2d_1", "relu_1"]
    assert work.layers[0].output_shape == (1, 4, 5, 5)
    assert [n.name for n in receptive_field(network, (1, 1, 9, 9)).nodes] == ["conv2d_1", "relu_1"]
    assert valid_inputs(network, (1, 1, 9, 9)).axes[0].rule() == "H ≥ 1"

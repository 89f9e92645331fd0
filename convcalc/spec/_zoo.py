"""Zoo variants: each torchvision builder name as its family spec with parameters set.

``ALIASES[name] = (family, parameters, input shape)``; the input shape is the one torchvision
publishes for the weights of that builder (``transforms().crop_size``), or ``None`` for the
family's own ``input:``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ALIASES"]

_Alias = tuple[str, dict[str, Any], tuple[int, ...] | None]

_RESNETS: dict[str, dict[str, Any]] = {
    "resnet18": {"depth": 18},
    "resnet34": {"depth": 34},
    "resnet50": {"depth": 50},
    "resnet101": {"depth": 101},
    "resnet152": {"depth": 152},
    "resnext50_32x4d": {"depth": 50, "groups": 32, "width_per_group": 4},
    "resnext101_32x8d": {"depth": 101, "groups": 32, "width_per_group": 8},
    "resnext101_64x4d": {"depth": 101, "groups": 64, "width_per_group": 4},
    "wide_resnet50_2": {"depth": 50, "width_per_group": 128},
    "wide_resnet101_2": {"depth": 101, "width_per_group": 128},
}

_VGGS: dict[str, dict[str, Any]] = {
    f"vgg{depth}{'_bn' if bn else ''}": {"depth": depth, "batch_norm": bn}
    for depth in (11, 13, 16, 19)
    for bn in (False, True)
}

_SEGMENTATION: dict[str, dict[str, Any]] = {
    f"{head}_resnet{depth}": {"head": head, "depth": depth}
    for head in ("deeplabv3", "fcn")
    for depth in (50, 101)
}

# torchvision's RegNet builders: the numbers each passes to BlockParams.from_init_params
# (depth, w_0, w_a, w_m, group_width, se_ratio; RegNetX has no squeeze-excitation).
_REGNETS: dict[str, tuple[int, int, float, float, int, float]] = {
    "regnet_y_400mf": (16, 48, 27.89, 2.09, 8, 0.25),
    "regnet_y_800mf": (14, 56, 38.84, 2.4, 16, 0.25),
    "regnet_y_1_6gf": (27, 48, 20.71, 2.65, 24, 0.25),
    "regnet_y_3_2gf": (21, 80, 42.63, 2.66, 24, 0.25),
    "regnet_y_8gf": (17, 192, 76.82, 2.19, 56, 0.25),
    "regnet_y_16gf": (18, 200, 106.23, 2.48, 112, 0.25),
    "regnet_y_32gf": (20, 232, 115.89, 2.53, 232, 0.25),
    "regnet_y_128gf": (27, 456, 160.83, 2.52, 264, 0.25),
    "regnet_x_400mf": (22, 24, 24.48, 2.54, 16, 0.0),
    "regnet_x_800mf": (16, 56, 35.73, 2.28, 16, 0.0),
    "regnet_x_1_6gf": (18, 80, 34.01, 2.25, 24, 0.0),
    "regnet_x_3_2gf": (25, 88, 26.31, 2.25, 48, 0.0),
    "regnet_x_8gf": (23, 80, 49.56, 2.88, 120, 0.0),
    "regnet_x_16gf": (22, 216, 55.59, 2.1, 128, 0.0),
    "regnet_x_32gf": (23, 320, 69.86, 2.0, 168, 0.0),
}
_REGNET_PARAMS = ("depth", "w_0", "w_a", "w_m", "group_width", "se_ratio")

ALIASES: dict[str, _Alias] = {
    **{name: ("resnet", params, None) for name, params in _RESNETS.items()},
    **{name: ("vgg", params, None) for name, params in _VGGS.items()},
    "mobilenet_v3_large": ("mobilenet_v3", {"arch": "large"}, None),
    "mobilenet_v3_small": ("mobilenet_v3", {"arch": "small"}, None),
    **{
        f"efficientnet_b{n}": ("efficientnet", {"variant": f"b{n}"}, (1, 3, size, size))
        for n, size in enumerate((224, 240, 288, 300, 380, 456, 528, 600))
    },
    **{
        f"efficientnet_v2_{size}": ("efficientnet", {"variant": f"v2_{size}"}, (1, 3, crop, crop))
        for size, crop in (("s", 384), ("m", 480), ("l", 480))
    },
    **{
        f"convnext_{size}": ("convnext", {"variant": size}, None)
        for size in ("tiny", "small", "base", "large")
    },
    **{
        f"shufflenet_v2_{width}": ("shufflenet_v2", {"width": width}, None)
        for width in ("x0_5", "x1_0", "x1_5", "x2_0")
    },
    "squeezenet1_0": ("squeezenet", {"version": 1.0}, None),
    "squeezenet1_1": ("squeezenet", {"version": 1.1}, None),
    **{
        f"mnasnet{width}": ("mnasnet", {"alpha": float(width.replace("_", "."))}, None)
        for width in ("0_5", "0_75", "1_0", "1_3")
    },
    **{
        f"densenet{depth}": ("densenet", {"variant": depth}, None) for depth in (121, 161, 169, 201)
    },
    # Segmentation: the published resize_size (520) as a square; the family's own input.
    **{name: ("segmentation", params, None) for name, params in _SEGMENTATION.items()},
    # Detection: resnet_fpn_backbone("resnet50"), at the family's own 800x800.
    "resnet50_fpn": ("resnet_fpn", {"depth": 50}, None),
    **{
        # regnet_y_128gf's only weights (SWAG, fine-tuned end to end) are published at 384.
        name: (
            "regnet",
            dict(zip(_REGNET_PARAMS, numbers, strict=True)),
            (1, 3, 384, 384) if name == "regnet_y_128gf" else None,
        )
        for name, numbers in _REGNETS.items()
    },
}

"""The JSON Schema accepts every zoo spec and rejects what convcalc rejects as malformed."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from convcalc.schema import spec_schema
from convcalc.spec import zoo_names, zoo_text

SCHEMA = spec_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    json.dumps(SCHEMA)


@pytest.mark.parametrize("name", zoo_names())
def test_zoo_specs_validate(name: str) -> None:
    VALIDATOR.validate(yaml.safe_load(zoo_text(name)))


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"layer": ["ReLU"]}, id="typo-top-key"),
        pytest.param({"layers": []}, id="empty-layers"),
        pytest.param(
            {"layers": [{"Conv2d": {"out_channels": 8, "kernal_size": 3}}]}, id="typo-argument"
        ),
        pytest.param(
            {"layers": [{"Conv2d": {"out_channels": 8, "kernel_size": 3, "bias": "yes"}}]},
            id="string-bool",
        ),
        pytest.param({"layers": [{"ReLU": None, "repeat": -1}]}, id="negative-repeat"),
        pytest.param({"input": [1, -3], "layers": ["ReLU"]}, id="negative-input"),
    ],
)
def test_schema_rejects_malformed_specs(document: dict[str, object]) -> None:
    assert not VALIDATOR.is_valid(document)


def test_cli_prints_the_schema() -> None:
    from click.testing import CliRunner

    from convcalc.cli import cli

    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA


def test_schema_accepts_the_newer_format() -> None:
    from test_export import GRAPHS
    from test_spec_format import STAGES

    for text in [STAGES, *GRAPHS.values()]:
        VALIDATOR.validate(yaml.safe_load(text))
    VALIDATOR.validate(
        {
            "include": "blocks.yaml",
            "params": {"act": "ReLU"},
            "layers": [
                "Conv2d(3, 8, 3)",
                {"nn.Linear(8, 4)": None, "id": "fc"},
                "${act}",
                {"Add": {"from": ["fc", -1]}},
                {"share": "fc", "if": "${act == 'ReLU'}", "train_only": True},
            ],
        }
    )

"""Rasa checks every action-server response against a JSON Schema with `jsonschema.validate`, which
first re-validates the *schema itself* against the JSON Schema meta-schema on every call. Profiled
under load (py-spy, 2026-12-02), that check was about 46 % of the Rasa server's CPU time, and the whole
response check about half of it.

`install()` makes Rasa's `RemoteAction._validate_action_result` do the same check with a validator
built once: the same schema, the same errors (jsonschema's `best_match`, as `validate` raises), the same
message. Called when our channels are loaded (credentials.yml), so it is in force whenever they are.
Checked against Rasa's own function in tests/rasa (a valid response passes, invalid ones fail with the
same message).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator() -> Draft202012Validator:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # once, instead of once per action call
    return cls(schema)  # type: ignore[no-any-return]


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's check of an action-server response, with the validator built once."""
    error: ValidationError | None = best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]

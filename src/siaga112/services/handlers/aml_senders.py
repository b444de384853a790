"""AML HTTPS senders: the HMAC key each one signs its bodies with (docs/location.md).

The key is a secret shared with the operator, so it is kept as given (not hashed, unlike
tokens): the center must compute the same HMAC. It lives on the sender's service account
and is never shown again after it is set.
"""

from __future__ import annotations

import re
import secrets

from siaga112.domain.accounts import Scope
from siaga112.domain.clock import Clock
from siaga112.domain.errors import InvalidValue, NotFound
from siaga112.domain.events import AccountChanged
from siaga112.services.ports import UnitOfWork

KEY = re.compile(r"[\x21-\x7e]{16,200}", re.ASCII)  # printable, no spaces


def set_hmac_key(uow: UnitOfWork, *, name: str, key: str | None, by: str, clock: Clock) -> str:
    """Set (or rotate) the sender's key; a random one when none is given. Returns it."""
    key = key if key is not None else secrets.token_hex(32)
    if not KEY.fullmatch(key):
        raise InvalidValue("an HMAC key: 16-200 printable characters, no spaces")
    with uow:
        account = uow.users.service_account(name)
        if account is None:
            raise NotFound(f"no service account '{name}'")
        if Scope.AML_GATEWAY not in account.scopes:
            raise InvalidValue(f"'{name}' has no scope aml_gateway: only AML senders sign "
                               "with an HMAC key")
        rotated = account.hmac_key is not None
        account.hmac_key = key
        uow.record(AccountChanged(aggregate_id=account.username, at=clock.now(), actor=by,
                                  after="hmac_key_rotated" if rotated else "hmac_key_set"))
        uow.commit()
    return key

"""Shared test set-up: restorect_mm imported (fixes + registration) and
MMagic's default scope, as a config's ``default_scope='mmagic'`` would set."""
import pytest

import restorect_mm  # noqa: F401
from mmengine.registry import init_default_scope


@pytest.fixture(autouse=True)
def mmagic_default_scope():
    init_default_scope('mmagic')
    yield

from __future__ import annotations

import pytest

from tests.reports.fixtures import answered_campaign


@pytest.fixture
def campaign(app, tree, people):
    return answered_campaign(tree, people)

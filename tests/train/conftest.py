"""The training scripts import each other by their names (they run as `python train/...`): tests here do too."""

import sys

from qa.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "train"))

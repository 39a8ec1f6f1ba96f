import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.chdir(ROOT)
# xlwings' remote and calamine engines need a key; "noncommercial" is its PolyForm NC test key.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

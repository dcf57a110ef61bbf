"""Run Voila with the ZMQ lost-wakeup fix applied (started by tests/jupyter_support.voila_server only)."""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from jupyter_support import apply_zmq_wakeup_fix

    apply_zmq_wakeup_fix()
    from voila.app import main

    sys.exit(main())

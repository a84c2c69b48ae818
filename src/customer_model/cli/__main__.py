"""``python -m customer_model.cli``: the same as the ``customer-model`` command."""

import sys

from customer_model.cli import main

sys.exit(main())

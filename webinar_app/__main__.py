import sys

from webinar_app.cli import main

sys.exit(main())

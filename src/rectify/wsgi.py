"""The WSGI application, as `rectify serve` (gunicorn) loads it in each worker process."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
application = get_wsgi_application()

# Started some other way without the static files collected, every page would answer 500: refuse.
from rectify.server.static import require_manifest  # noqa: E402  (needs the settings loaded above)

require_manifest()

"""Serving the site in production: `rectify serve` collects the static files (the manifest the pages
need) and runs gunicorn, sized from the CPU count. See docs/deployment.md."""

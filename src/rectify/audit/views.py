"""Audit pages. SCAFFOLD: the helper building these pages replaces every placeholder below."""

from django.http import Http404


def search(request, *args, **kwargs):
    raise Http404("placeholder")

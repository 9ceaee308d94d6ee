"""SCAFFOLD: the engineer building these pages replaces every placeholder below."""

from django.http import Http404


def list(request, *args, **kwargs):
    raise Http404("placeholder")

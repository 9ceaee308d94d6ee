"""Mechanism pages. SCAFFOLD: the helper building these pages replaces every placeholder below."""

from django.http import Http404


def mechanism_list(request, *args, **kwargs):
    raise Http404("placeholder")

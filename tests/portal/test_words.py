"""Every portal page, anonymous, with a published notice, a consultation taking comments and a message
with its tracking code: no English or placeholder text in what a citizen reads (see tests/test_words.py)."""

from django.test import Client

from rectify.feedback.services import register_item

from ..test_authorisation_matrix import PUBLIC_WEB, WEB, fill
from ..test_words import FORBIDDEN, visible_text, words_of


def test_no_english_or_placeholder_on_any_portal_page(world, published, open_consultation):
    item = register_item(
        world.alice,
        organisation=world.orgs["a"],
        channel="phone",
        kind="opinion",
        content="建议延长办理时间。",
    )
    values = {
        "pk": published.pk,
        "publication_id": published.pk,
        "consultation_id": open_consultation.pk,
        "token": "0" * 32,
    }
    client = Client()
    found, seen = [], 0
    for name, route, kwargs in WEB:
        if not PUBLIC_WEB.search(name):
            continue
        path = fill(route, {kwarg: values.get(kwarg, 1) for kwarg in kwargs})
        if name.startswith("public_consultations:") and "pk" in kwargs:
            path = fill(route, {**{k: values.get(k, 1) for k in kwargs}, "pk": open_consultation.pk})
        found.extend(f"{name} {word}" for word in words_of(client, path))
        seen += client.get(path).status_code == 200
    tracked = client.post("/portal/feedback/track/", {"code": item.code})
    assert tracked.status_code == 200 and item.code in tracked.content.decode()
    found.extend(f"track {m.group()}" for m in FORBIDDEN.finditer(visible_text(tracked.content.decode())))
    assert seen >= 8
    assert not found, "\n".join(found)

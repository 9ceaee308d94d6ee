"""The published OpenAPI document: every component name names one shape.

django-ninja builds each operation's schemas separately and merges their components by name, so two
classes of the same name silently overwrite each other and the spec then lies about one of them."""

from ninja.openapi.schema import OpenAPISchema

from rectify.api.api import api


class _CollisionRecorder(OpenAPISchema):
    """Builds the same document as ninja, remembering each component name that meant two shapes."""

    def __init__(self, *args) -> None:
        self.collisions: set[str] = set()
        super().__init__(*args)

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                self.collisions.add(name)
        super().add_schema_definitions(definitions)


def test_component_names_are_unique():
    assert _CollisionRecorder(api, "/api/v1/").collisions == set()

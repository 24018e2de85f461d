"""The kit's pytest plugins, registered by the root conftest.py (`pytest_plugins`): a test module takes
their fixtures by name and imports none of them."""

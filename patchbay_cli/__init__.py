"""`patchbay`: plan and apply integration declarations against a Patchbay server (issue 17, item 5).

Talks only to the REST API (`integrations/declare/`, `integrations/{id}/export/`, `runs/{id}/`),
so it works against any deployment a token reaches; standard library plus `requests`.
"""

"""Provider accounts, integrations and the provisioning engine that realises them."""

"""Reference VssID: the relying-party backend and the VssID "app" screens."""

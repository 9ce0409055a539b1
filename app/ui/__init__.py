"""The Qt user interface. Only this package (and start-up) imports PySide6."""

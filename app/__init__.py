"""MedBill Desk: the billing side of a single physician's office."""

__version__ = "0.1.0"
APP_NAME = "MedBill Desk"

"""12345 hotline work orders (12345 工单导入): an Excel export imported as feedback items, in one batch."""

"""The public feedback pages (留言, 查询): the form, from a link, a notice or a QR code, and the
tracking page."""

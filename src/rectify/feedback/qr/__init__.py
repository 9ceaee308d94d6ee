"""QR codes (二维码): the office makes and prints them; each opens the portal form tied to a subject."""

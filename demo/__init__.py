"""Seeded demo warehouse on the real administrative units of Shaanxi and Pingliang. Not real statistics."""

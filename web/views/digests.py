"""(to be written)"""
from flask import Blueprint

bp = Blueprint("digests", __name__)

"""(to be written)"""
from flask import Blueprint

bp = Blueprint("capture", __name__)

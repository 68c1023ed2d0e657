"""(to be written)"""
from flask import Blueprint

bp = Blueprint("moderation", __name__)

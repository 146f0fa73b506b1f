from flask import Blueprint

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.get("/")
def index() -> str:
    return ""


@bp.get("/<int:unit_id>")
def detail(unit_id: int) -> str:
    return ""


@bp.get("/import")
def import_units() -> str:
    return ""

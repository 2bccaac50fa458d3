"""The app's screens as mobile web pages: Vietnamese, one stable id per screen and element.

Every page: ``<html lang="vi">``, the mobile viewport, the bar "VssID – BHXH số", and a
``<body id="man-...">`` naming the screen. Text that comes from outside (a name from the
account book, anything from the IdP) is escaped; an IdP's ``error_description`` is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

from .accounts import mask_id_number

STORE_URL = "https://play.google.com/store/apps/details?id=com.bhxhapp"
# Where a person without a VssID account registers (Vietnam Social Security's public portal).
REGISTER_URL = "https://dichvucong.baohiemxahoi.gov.vn/#/dang-ky"
VNEID_BUTTON = "Đăng nhập bằng tài khoản định danh điện tử"
HEADERS = {
    "Cache-Control": "no-store",
    # No form-action: browsers apply it to the start's 303 to VNeID as well.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
STYLE = (
    "body{margin:0;font-family:system-ui,sans-serif;background:#f4f6f8;color:#1b2631}"
    ".thanh-ung-dung{background:#0b5394;color:#fff;padding:12px 16px;font-weight:600}"
    "main{padding:16px;max-width:480px;margin:0 auto}"
    ".the{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 3px #0002}"
    ".nut{display:block;width:100%;padding:14px;border:0;border-radius:6px;"
    "background:#c0392b;color:#fff;font-size:16px}"
    "dt{color:#566573;font-size:14px}dd{margin:0 0 12px;font-weight:600}"
)


def page(screen: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} – VssID</title>\n<style>{STYLE}</style>\n</head>\n"
        f'<body id="{screen}" class="man-hinh">\n'
        '<header class="thanh-ung-dung" id="thanh-ung-dung">VssID – BHXH số</header>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n")
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def login(app_version: str) -> HTMLResponse:
    return page("man-dang-nhap", "Đăng nhập", f"""<section class="the" id="the-dang-nhap">
<h1 id="tieu-de-dang-nhap">Đăng nhập VssID</h1>
<p id="gioi-thieu">Đăng nhập nhanh, an toàn bằng tài khoản định danh điện tử mức độ 2
trên ứng dụng VNeID.</p>
<form method="post" action="/dang-nhap/vneid" id="form-vneid">
<input type="hidden" name="ver" id="phien-ban-ung-dung" value="{escape(app_version)}">
<button type="submit" class="nut" id="nut-vneid">{VNEID_BUTTON}</button>
</form>
<p id="nhan-phien-ban" class="phien-ban">Phiên bản {escape(app_version)}</p>
</section>""")


@dataclass(frozen=True)
class Outcome:
    name: str  # the oracle's outcome (for the log and the README, never in the markup)
    screen: str  # the <body> id
    title: str
    message: str
    status: int = 200


OUTCOMES = {o.name: o for o in (
    Outcome("VSSID_UPDATE_REQUIRED", "man-can-cap-nhat", "Cần cập nhật ứng dụng VssID",
            "Phiên bản VssID trên máy đã cũ, không dùng được đăng nhập bằng tài khoản định "
            "danh điện tử. Vui lòng cập nhật VssID lên phiên bản mới nhất."),
    Outcome("CANCELLED", "man-da-huy", "Đã hủy đăng nhập",
            "Bạn đã không đồng ý chia sẻ thông tin trên VNeID nên VssID chưa thể đăng nhập."),
    Outcome("LEVEL2_REQUIRED", "man-can-muc-2", "Cần tài khoản định danh điện tử mức độ 2",
            "Chỉ tài khoản định danh điện tử mức độ 2 mới đăng nhập được VssID. Vui lòng "
            "nâng cấp tài khoản trên ứng dụng VNeID rồi thử lại."),
    Outcome("NO_VSSID_ACCOUNT", "man-chua-co-tai-khoan", "Chưa có tài khoản VssID",
            "Số định danh cá nhân của bạn chưa có tài khoản VssID. Vui lòng đăng ký tài khoản "
            "VssID trước khi đăng nhập bằng VNeID."),
    Outcome("VSSID_PENDING", "man-cho-duyet", "Tài khoản VssID đang chờ duyệt",
            "Hồ sơ đăng ký VssID của bạn chưa được cơ quan BHXH phê duyệt. Vui lòng đăng nhập "
            "lại sau khi tài khoản được kích hoạt."),
    Outcome("VSSID_LOCKED", "man-bi-khoa", "Tài khoản VssID đã bị khóa",
            "Tài khoản VssID của bạn đang bị khóa. Vui lòng liên hệ cơ quan BHXH nơi bạn "
            "tham gia để được hỗ trợ."),
    Outcome("PROTOCOL_ERROR", "man-loi-xac-thuc", "Không thể xác thực lượt đăng nhập",
            "Phản hồi đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại từ đầu.",
            status=400),
    Outcome("IDP_ERROR", "man-loi-vneid", "VNeID chưa hoàn tất đăng nhập",
            "Hệ thống định danh điện tử đang bận hoặc chưa hoàn tất đăng nhập. Vui lòng thử "
            "lại sau ít phút."),
)}


def outcome(name: str) -> HTMLResponse:
    o = OUTCOMES[name]
    extra = ""
    if name == "VSSID_UPDATE_REQUIRED":
        extra = (f'\n<p><a id="lien-ket-cua-hang" class="nut" href="{STORE_URL}">'
                 "Cập nhật VssID</a></p>")
    elif name == "NO_VSSID_ACCOUNT":
        extra = (f'\n<p><a id="dang-ky" class="nut" href="{REGISTER_URL}">'
                 "Đăng ký tài khoản VssID</a></p>")
    return page(o.screen, o.title, f"""<section class="the ket-qua" id="the-ket-qua">
<h1 id="tieu-de-ket-qua">{escape(o.title)}</h1>
<p id="thong-bao-ket-qua">{escape(o.message)}</p>{extra}
<p><a id="ve-dang-nhap" href="/dang-nhap">Quay lại màn hình đăng nhập</a></p>
</section>""", status=o.status)


def error(status: int) -> HTMLResponse:
    """A request the app does not serve: wrong path, wrong method, unreadable input."""
    if status == 404:
        title, message = "Không tìm thấy trang", "Địa chỉ này không có trên VssID."
    elif status == 405:
        title, message = "Thao tác không được hỗ trợ", "Trang này không nhận thao tác vừa gửi."
    else:
        status = 400
        title, message = "Yêu cầu không hợp lệ", "VssID không đọc được yêu cầu vừa gửi."
    return page("man-loi", title, f"""<section class="the" id="the-loi">
<h1 id="tieu-de-loi">{escape(title)}</h1>
<p id="thong-bao-loi">{escape(message)}</p>
<p><a id="ve-dang-nhap" href="/dang-nhap">Quay lại màn hình đăng nhập</a></p>
</section>""", status=status)


def home(name: str, id_number: str, social_insurance_code: str | None) -> HTMLResponse:
    code = social_insurance_code or "—"
    return page("man-tai-khoan", "Tài khoản", f"""<section class="the" id="the-tai-khoan">
<h1 id="tieu-de-tai-khoan">Thông tin tài khoản</h1>
<dl>
<dt>Họ và tên</dt><dd id="ho-ten">{escape(name)}</dd>
<dt>Số định danh cá nhân</dt><dd id="so-dinh-danh">{escape(mask_id_number(id_number))}</dd>
<dt>Mã số BHXH</dt><dd id="ma-so-bhxh">{escape(code)}</dd>
</dl>
<p><a id="dang-xuat" href="/dang-xuat">Đăng xuất</a></p>
</section>""")

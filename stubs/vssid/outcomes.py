"""The outcomes an attempt can end in, with their Vietnamese titles and messages."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """The oracle's outcomes (REQUIREMENTS.md) plus the two protocol refusals."""

    VSSID_UPDATE_REQUIRED = "VSSID_UPDATE_REQUIRED"
    VNEID_NOT_INSTALLED = "VNEID_NOT_INSTALLED"
    VNEID_UPDATE_REQUIRED = "VNEID_UPDATE_REQUIRED"
    VNEID_LOCKED = "VNEID_LOCKED"
    VNEID_BAD_CREDENTIALS = "VNEID_BAD_CREDENTIALS"
    LEVEL2_REQUIRED = "LEVEL2_REQUIRED"
    CANCELLED = "CANCELLED"
    NO_VSSID_ACCOUNT = "NO_VSSID_ACCOUNT"
    VSSID_PENDING = "VSSID_PENDING"
    VSSID_LOCKED = "VSSID_LOCKED"
    LOGGED_IN = "LOGGED_IN"
    PROTOCOL_ERROR = "PROTOCOL_ERROR"
    IDP_ERROR = "IDP_ERROR"


TEXT: dict[Outcome, tuple[str, str]] = {
    Outcome.VSSID_UPDATE_REQUIRED: (
        "Cần cập nhật VssID",
        "Phiên bản VssID trên thiết bị chưa hỗ trợ đăng nhập bằng tài khoản định danh điện tử. "
        "Vui lòng cập nhật VssID lên phiên bản mới nhất.",
    ),
    Outcome.LEVEL2_REQUIRED: (
        "Cần tài khoản định danh điện tử mức 2",
        "Chỉ tài khoản định danh điện tử mức 2 mới đăng nhập được VssID. "
        "Vui lòng đến cơ quan Công an để nâng cấp tài khoản lên mức 2.",
    ),
    Outcome.CANCELLED: (
        "Đã hủy đăng nhập",
        "Bạn đã từ chối chia sẻ thông tin từ VNeID. Bạn có thể đăng nhập lại bất cứ lúc nào.",
    ),
    Outcome.NO_VSSID_ACCOUNT: (
        "Chưa có tài khoản VssID",
        "Số định danh cá nhân này chưa có tài khoản giao dịch điện tử với cơ quan BHXH. "
        "Vui lòng đăng ký tài khoản VssID trước khi đăng nhập bằng VNeID.",
    ),
    Outcome.VSSID_PENDING: (
        "Tài khoản VssID đang chờ duyệt",
        "Hồ sơ đăng ký tài khoản VssID của bạn chưa được cơ quan BHXH phê duyệt. "
        "Vui lòng chờ thông báo kích hoạt.",
    ),
    Outcome.VSSID_LOCKED: (
        "Tài khoản VssID đã bị khóa",
        "Tài khoản VssID của bạn đang bị khóa hoặc tạm ngừng. "
        "Vui lòng liên hệ cơ quan BHXH nơi gần nhất để được hỗ trợ.",
    ),
    Outcome.PROTOCOL_ERROR: (
        "Đăng nhập không thành công",
        "Phản hồi đăng nhập không hợp lệ nên VssID đã từ chối để bảo vệ tài khoản của bạn. "
        "Vui lòng đăng nhập lại từ đầu.",
    ),
    Outcome.IDP_ERROR: (
        "VNeID tạm thời gián đoạn",
        "Hệ thống định danh điện tử đang bận hoặc gặp sự cố. Vui lòng thử lại sau ít phút.",
    ),
    Outcome.VNEID_NOT_INSTALLED: ("Chưa cài đặt VNeID", "Vui lòng cài đặt ứng dụng VNeID."),
    Outcome.VNEID_UPDATE_REQUIRED: ("Cần cập nhật VNeID", "Vui lòng cập nhật ứng dụng VNeID."),
    Outcome.VNEID_LOCKED: ("Tài khoản VNeID bị khóa", "Tài khoản định danh điện tử bị khóa."),
    Outcome.VNEID_BAD_CREDENTIALS: (
        "Sai thông tin đăng nhập VNeID", "Số định danh, mật khẩu hoặc mã xác thực không đúng.",
    ),
    Outcome.LOGGED_IN: ("Đăng nhập thành công", "Chào mừng bạn đến với VssID."),
}

# A few refusals deserve a more specific message than their outcome's default.
REASON_MESSAGES: dict[str, str] = {
    "invalid_grant": "Phiên đăng nhập đã hết hạn hoặc đã được sử dụng. "
                     "Vui lòng bấm “Đăng nhập lại” để bắt đầu lại.",
    "attempt_unknown": "Phiên đăng nhập không hợp lệ hoặc đã hết hạn. "
                       "Vui lòng đăng nhập lại từ đầu.",
    "idp_login_required": "VNeID yêu cầu bạn đăng nhập lại. Vui lòng thử lại.",
    "idp_interaction_required": "VNeID cần bạn thao tác thêm trên ứng dụng. Vui lòng thử lại.",
}

# RFC 6749 / OIDC Core §3.1.2.6 error codes → the outcome the person sees (RP-14).
IDP_ERROR_OUTCOMES: dict[str, Outcome] = {
    "access_denied": Outcome.CANCELLED,
    "unmet_authentication_requirements": Outcome.LEVEL2_REQUIRED,
    "login_required": Outcome.IDP_ERROR,
    "interaction_required": Outcome.IDP_ERROR,
    "consent_required": Outcome.CANCELLED,
    "server_error": Outcome.IDP_ERROR,
    "temporarily_unavailable": Outcome.IDP_ERROR,
}

from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class AuthServiceLoginRequest(_message.Message):
    __slots__ = ("email", "password")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class AuthServiceLoginResponse(_message.Message):
    __slots__ = ("token", "refresh")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    token: str
    refresh: str
    def __init__(self, token: _Optional[str] = ..., refresh: _Optional[str] = ...) -> None: ...

class AuthServiceRefreshRequest(_message.Message):
    __slots__ = ("token", "refresh")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    token: str
    refresh: str
    def __init__(self, token: _Optional[str] = ..., refresh: _Optional[str] = ...) -> None: ...

class AuthServiceRefreshResponse(_message.Message):
    __slots__ = ("token", "refresh")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_FIELD_NUMBER: _ClassVar[int]
    token: str
    refresh: str
    def __init__(self, token: _Optional[str] = ..., refresh: _Optional[str] = ...) -> None: ...

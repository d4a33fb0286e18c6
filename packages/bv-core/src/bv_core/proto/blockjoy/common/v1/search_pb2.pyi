from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class SearchOperator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_OPERATOR_UNSPECIFIED: _ClassVar[SearchOperator]
    SEARCH_OPERATOR_OR: _ClassVar[SearchOperator]
    SEARCH_OPERATOR_AND: _ClassVar[SearchOperator]

class SortOrder(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SORT_ORDER_UNSPECIFIED: _ClassVar[SortOrder]
    SORT_ORDER_ASCENDING: _ClassVar[SortOrder]
    SORT_ORDER_DESCENDING: _ClassVar[SortOrder]
SEARCH_OPERATOR_UNSPECIFIED: SearchOperator
SEARCH_OPERATOR_OR: SearchOperator
SEARCH_OPERATOR_AND: SearchOperator
SORT_ORDER_UNSPECIFIED: SortOrder
SORT_ORDER_ASCENDING: SortOrder
SORT_ORDER_DESCENDING: SortOrder

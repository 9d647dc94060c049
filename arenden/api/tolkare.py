"""The API's JSON parser: DRF's, with a body nested deeper than Python's decoder can follow
refused as unreadable (400), as any other malformed JSON is. DRF turns only a ``ValueError``
into its ``ParseError``; the decoder's ``RecursionError`` went on to a 500."""

from rest_framework import exceptions, parsers


class JSONTolkare(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError() from None

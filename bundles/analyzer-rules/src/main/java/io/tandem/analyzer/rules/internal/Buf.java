package io.tandem.analyzer.rules.internal;

/** The buffers a rule's content can be matched against: the payload (packet or stream) and app-layer fields. */
public enum Buf {
    PAYLOAD(Side.ANY),
    HTTP_URI(Side.REQUEST), HTTP_RAW_URI(Side.REQUEST), HTTP_METHOD(Side.REQUEST), HTTP_REQUEST_LINE(Side.REQUEST),
    HTTP_CLIENT_BODY(Side.REQUEST), HTTP_HOST(Side.REQUEST), HTTP_RAW_HOST(Side.REQUEST), HTTP_USER_AGENT(Side.REQUEST),
    HTTP_REFERER(Side.REQUEST), HTTP_COOKIE(Side.REQUEST), HTTP_ACCEPT(Side.REQUEST), HTTP_ACCEPT_ENC(Side.REQUEST),
    HTTP_ACCEPT_LANG(Side.REQUEST),
    HTTP_STAT_CODE(Side.RESPONSE), HTTP_STAT_MSG(Side.RESPONSE), HTTP_RESPONSE_LINE(Side.RESPONSE),
    HTTP_RESPONSE_BODY(Side.RESPONSE), HTTP_SERVER(Side.RESPONSE), HTTP_LOCATION(Side.RESPONSE),
    /** Both sides (FILE_DATA: the request or response body): which one follows from the rule's flow direction (request unless to_client). */
    HTTP_HEADER(Side.HTTP), HTTP_RAW_HEADER(Side.HTTP), HTTP_HEADER_NAMES(Side.HTTP), HTTP_PROTOCOL(Side.HTTP),
    HTTP_START(Side.HTTP), FILE_DATA(Side.HTTP), HTTP_CONTENT_TYPE(Side.HTTP), HTTP_CONTENT_LEN(Side.HTTP), HTTP_CONNECTION(Side.HTTP),
    DNS_QUERY(Side.DNS),
    TLS_SNI(Side.TLS);

    public enum Side { ANY, REQUEST, RESPONSE, HTTP, DNS, TLS }

    public final Side side;

    Buf(Side side) {
        this.side = side;
    }

    public boolean http() {
        return side == Side.REQUEST || side == Side.RESPONSE || side == Side.HTTP;
    }
}

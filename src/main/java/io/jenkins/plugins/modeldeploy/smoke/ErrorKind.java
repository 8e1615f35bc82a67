package io.jenkins.plugins.modeldeploy.smoke;

/** Why a request did not count as a success. */
public enum ErrorKind {
    /** The server answered with a status other than 2xx. */
    STATUS,
    /** No complete answer within the request timeout. */
    TIMEOUT,
    /** The connection could not be opened or broke. */
    CONNECTION,
    /** A 2xx answer whose body failed the response check. */
    INVALID_BODY
}

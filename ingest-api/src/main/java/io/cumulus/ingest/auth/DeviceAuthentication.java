package io.cumulus.ingest.auth;

import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.HandlerInterceptor;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Turns {@code Authorization: Bearer <device token>} into a {@link DeviceSession} before any
 * ingest API handler runs (so an unauthenticated request is refused before its body is read),
 * and hands the session to handlers that declare a parameter of that type. Handlers of other
 * modules sharing the Spring context are left alone; ingest handlers opt out only with
 * {@link PublicEndpoint}.
 */
public final class DeviceAuthentication implements HandlerInterceptor, HandlerMethodArgumentResolver {
    private static final String SESSION = DeviceSession.class.getName();
    private static final String INGEST_PACKAGE = "io.cumulus.ingest";

    private final DeviceStore devices;

    public DeviceAuthentication(DeviceStore devices) {
        this.devices = devices;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)
                || !method.getBeanType().getPackageName().startsWith(INGEST_PACKAGE)
                || method.hasMethodAnnotation(PublicEndpoint.class)) {
            return true;
        }
        DeviceSession session = BearerToken.of(request)
                .flatMap(devices::authenticate)
                .orElseThrow(UnauthorizedException::deviceToken);
        request.setAttribute(SESSION, session);
        // The request's log lines name the device; the correlation filter clears the key when the request ends.
        org.slf4j.MDC.put(io.cumulus.schemas.Correlation.DEVICE_ID, session.deviceId().toString());
        return true;
    }

    /** The session this interceptor found for the request, if it ran and the request carried a valid device token. */
    public static java.util.Optional<DeviceSession> sessionOf(HttpServletRequest request) {
        return request.getAttribute(SESSION) instanceof DeviceSession s ? java.util.Optional.of(s) : java.util.Optional.empty();
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == DeviceSession.class;
    }

    @Override
    public DeviceSession resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
                                         NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
        Object session = webRequest.getAttribute(SESSION, RequestAttributes.SCOPE_REQUEST);
        if (session instanceof DeviceSession s) {
            return s;
        }
        throw UnauthorizedException.deviceToken();
    }
}

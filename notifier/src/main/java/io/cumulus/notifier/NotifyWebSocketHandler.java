package io.cumulus.notifier;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import tools.jackson.core.JacksonException;

/**
 * The {@code /v1/notify} endpoint: a session opened by an authenticated device joins the fanout and
 * leaves it when closed. The only frame a client sends is {@code {"type":"ping"}}, answered with
 * {@code {"type":"pong"}} so it can tell a quiet connection from a dead one; other JSON is ignored so
 * newer clients can talk to this server, and a frame that is not JSON closes the session.
 */
final class NotifyWebSocketHandler extends TextWebSocketHandler {
    private final NotificationFanout fanout;

    NotifyWebSocketHandler(NotificationFanout fanout) {
        this.fanout = fanout;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        ConnectedDevice device = (ConnectedDevice) session.getAttributes().get(DeviceHandshakeInterceptor.DEVICE_ATTRIBUTE);
        fanout.register(session, device);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws Exception {
        boolean ping;
        try {
            ping = PushMessages.isPing(message.getPayload());
        } catch (JacksonException e) {
            session.close(CloseStatus.BAD_DATA.withReason("frames must be JSON"));
            return;
        }
        if (ping) {
            fanout.reply(session.getId(), PushMessages.PONG);
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        fanout.unregister(session.getId());
    }
}

package io.jenkins.plugins.modeldeploy.local;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.event.EventBusException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The prediction log's RabbitMQ output: the durable topic exchange {@value #EXCHANGE}, routing key
 * {@code <model>.<version>}, persistent JSON messages, each batch confirmed by the broker. Connection settings and
 * credentials are the event bus's ({@link AmqpSettings}). Unlike the event sink nothing is spooled: a batch the broker
 * does not confirm is counted as lost and the output reconnects (at most once a second) for the next one.
 */
public final class AmqpPredictionOutput implements PredictionLogWriter.Output {
    public static final String EXCHANGE = "model-deploy.predictions";
    private static final long CONFIRM_MILLIS = 5_000;
    private static final long RECONNECT_MILLIS = 1_000;

    private final AmqpSettings settings;
    private final ConnectionFactory factory;
    private final Consumer<String> notices;
    private Connection connection;
    private Channel channel;
    private long lastAttempt;

    private AmqpPredictionOutput(AmqpSettings settings, Consumer<String> notices) {
        this.settings = settings;
        this.factory = settings.connectionFactory();
        this.notices = notices;
    }

    /**
     * Connects to {@code uri} and declares the exchange. Refused credentials fail here; an unreachable broker does not
     * (the output keeps trying, and counts what it could not publish).
     */
    public static AmqpPredictionOutput open(String uri, Consumer<String> notices) throws IOException {
        AmqpSettings settings = AmqpSettings.parse(uri);
        if (settings.uri().getScheme().equals("amqps")) {
            throw new IOException("amqps:// is not supported yet for the prediction log; use amqp://");
        }
        AmqpPredictionOutput output = new AmqpPredictionOutput(settings, notices);
        try {
            output.connect();
        } catch (AuthenticationFailureException e) {
            EventBusException refused = settings.credentialsRefused();
            throw new IOException(refused.getMessage(), refused);
        } catch (IOException | TimeoutException e) {
            notices.accept("prediction log: RabbitMQ at " + settings.redacted() + " is unreachable (" + e.getMessage()
                    + "); retrying for each batch");
        }
        return output;
    }

    private void connect() throws IOException, TimeoutException {
        lastAttempt = System.nanoTime();
        Connection newConnection = factory.newConnection("model-deploy predictions");
        try {
            Channel newChannel = newConnection.createChannel();
            newChannel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
            newChannel.confirmSelect();
            connection = newConnection;
            channel = newChannel;
        } catch (IOException | RuntimeException e) {
            newConnection.abort(1_000);
            throw e;
        }
    }

    @Override
    public void write(List<PredictionLogWriter.LogRecord> batch) throws IOException {
        if (channel == null || !channel.isOpen()) {
            disconnect();
            if (System.nanoTime() - lastAttempt < RECONNECT_MILLIS * 1_000_000) {
                throw new IOException("RabbitMQ at " + settings.redacted() + " is unreachable");
            }
            try {
                connect();
                notices.accept("prediction log: connected to RabbitMQ at " + settings.redacted());
            } catch (TimeoutException e) {
                throw new IOException("RabbitMQ at " + settings.redacted() + " is unreachable: " + e.getMessage(), e);
            }
        }
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .build();
        try {
            for (PredictionLogWriter.LogRecord record : batch) {
                channel.basicPublish(
                        EXCHANGE,
                        record.model() + "." + record.version(),
                        properties,
                        record.json().getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(CONFIRM_MILLIS);
        } catch (IOException | TimeoutException | RuntimeException e) {
            disconnect();
            throw new IOException("RabbitMQ at " + settings.redacted() + " did not confirm the batch: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while RabbitMQ confirmed the batch", e);
        }
    }

    private void disconnect() {
        if (connection != null) {
            connection.abort(1_000);
        }
        connection = null;
        channel = null;
    }

    @Override
    public String name() {
        return "rabbitmq " + settings.redacted() + " exchange " + EXCHANGE;
    }

    @Override
    public void close() {
        disconnect();
    }
}

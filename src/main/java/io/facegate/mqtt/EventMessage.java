package io.facegate.mqtt;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.facegate.access.Decision;

import java.time.Instant;
import java.util.Objects;

/**
 * One message on {@code <prefix>/<device>/events}. Generic on purpose: the daemon maps both access decisions and
 * door events onto it. Never carries an embedding; a face snapshot only when {@code mqtt.event_snapshots} is on.
 *
 * @param eventId     unique id (UUID), the receiver's de-duplication key
 * @param device      the door that produced it
 * @param seq         per-device sequence number, strictly increasing (gaps mean dropped events)
 * @param time        UTC time of the event
 * @param type        e.g. {@code access_granted}, {@code access_denied}, {@code door_opened}, {@code events_dropped}
 * @param personId    when known
 * @param displayName when known
 * @param score       similarity score of an access decision
 * @param reason      denial reason of a refused access
 * @param detail      free text, e.g. what a door event means
 * @param snapshotJpeg base64 JPEG of the face, only when configured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventMessage(String eventId, String device, long seq, Instant time, String type, String personId,
                           String displayName, Double score, String reason, String detail, String snapshotJpeg) {

    /** An event before the outbox gave it an id and a sequence number. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Draft(Instant time, String type, String personId, String displayName, Double score,
                        String reason, String detail, byte[] snapshotJpeg) {
        public Draft {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(type, "type");
        }

        public static Draft of(String type, Instant time, String personId, String displayName, String detail) {
            return new Draft(time, type, personId, displayName, null, null, detail, null);
        }

        /** Maps an access decision: {@code access_granted} or {@code access_denied} with the reason. */
        public static Draft of(Decision d) {
            return new Draft(d.time(), d.granted() ? "access_granted" : "access_denied", d.personId(),
                    d.displayName(), Double.isFinite(d.score()) ? d.score() : null,
                    d.reason() == null ? null : d.reason().name(), null, null);
        }

        public Draft withSnapshot(byte[] jpeg) {
            return new Draft(time, type, personId, displayName, score, reason, detail, jpeg);
        }
    }
}

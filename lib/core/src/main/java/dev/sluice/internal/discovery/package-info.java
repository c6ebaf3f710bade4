/**
 * Where a group's membership comes from besides its builder: DNS look-ups of server names (nginx's {@code resolver}
 * and {@code server NAME resolve}), run off the event loops.
 */
package dev.sluice.internal.discovery;

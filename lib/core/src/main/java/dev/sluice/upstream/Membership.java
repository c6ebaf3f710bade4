package dev.sluice.upstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One membership of a group: its tiers, their pickers and its peers, built from a peer list as nginx's round robin
 * starts one (every current weight 0, every effective weight whole). A change at run time builds a new one; a
 * selection that started under an older one starts again from the new.
 */
final class Membership {

    final Tier primary;
    final Tier backup;
    final Balancer.Picker primaryPicker;
    final Balancer.Picker backupPicker;
    /** The primary peers in order, then the backups. */
    final List<PeerState> peers;

    /** Builds from {@code members}; lock held, or the group not yet shared. */
    Membership(List<PeerState> members, Balancer balancer, Now now, boolean byLoad) {
        List<PeerState> primaries = new ArrayList<>();
        List<PeerState> backups = new ArrayList<>();
        for (PeerState peer : members) {
            (peer.peer.backup() ? backups : primaries).add(peer);
            peer.currentWeight = 0;
            peer.effectiveWeight = peer.weight;
        }
        primary = new Tier(primaries, primaries.size() == 1 && backups.isEmpty(), now, byLoad);
        backup = backups.isEmpty() ? null : new Tier(backups, false, now, byLoad);
        primaryPicker = balancer.newPicker(new PeerList(primary));
        backupPicker = backup == null ? null : balancer.newPicker(new PeerList(backup));
        List<PeerState> all = new ArrayList<>(primaries);
        all.addAll(backups);
        peers = Collections.unmodifiableList(all);
    }

    /** The peer with id {@code id}, or null. */
    PeerState peer(int id) {
        for (PeerState peer : peers) {
            if (peer.id == id) {
                return peer;
            }
        }
        return null;
    }

    /** The larger tier's size: how many peers one request may try in a tier. */
    int mostPerTier() {
        return Math.max(primary.size(), backup == null ? 0 : backup.size());
    }
}

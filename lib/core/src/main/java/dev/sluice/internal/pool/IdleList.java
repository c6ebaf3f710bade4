package dev.sluice.internal.pool;

/**
 * An intrusive doubly linked list of idle connections, most recently released first. The pool keeps one over all
 * its idle connections (its tail is the LRU victim, nginx's {@code cache} queue) and one per peer (its head is
 * what {@code acquire} returns). Nodes live in the connection, so linking and unlinking allocate nothing.
 */
final class IdleList {

    /** A connection's place in one list. */
    static final class Node {
        final PooledConnection connection;
        Node prev;
        Node next;
        IdleList list;

        Node(PooledConnection connection) {
            this.connection = connection;
        }
    }

    private Node head;
    private Node tail;
    private int size;

    void addFirst(Node n) {
        n.list = this;
        n.prev = null;
        n.next = head;
        if (head != null) {
            head.prev = n;
        } else {
            tail = n;
        }
        head = n;
        size++;
    }

    void remove(Node n) {
        if (n.list != this) {
            return;
        }
        if (n.prev != null) {
            n.prev.next = n.next;
        } else {
            head = n.next;
        }
        if (n.next != null) {
            n.next.prev = n.prev;
        } else {
            tail = n.prev;
        }
        n.prev = null;
        n.next = null;
        n.list = null;
        size--;
    }

    /** The most recently released connection, or null. */
    PooledConnection first() {
        return head == null ? null : head.connection;
    }

    /** The least recently released connection, or null. */
    PooledConnection last() {
        return tail == null ? null : tail.connection;
    }

    int size() {
        return size;
    }
}

package org.enlace.server.inventory;

import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The agents of a computer, as retiring the computer needs them. Enrollment owns agents and their
 * credential cache and implements this; inventory only states what a retirement requires, so that
 * enrollment (which creates computers) can depend on inventory and not the other way round.
 */
public interface ComputerAgents {
  /**
   * Revokes every agent of the computer in the caller's transaction, so that the computer and its
   * credentials retire together or not at all.
   *
   * @return the public ids of the computer's agents
   */
  List<UUID> revokeAll(Handle transaction, long computerId, String reason);

  /** Called after the commit: an agent authenticated before it must not stay cached. */
  void invalidate(UUID publicId);
}

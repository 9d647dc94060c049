"""Who watches the one-year clock of motioner and medborgarförslag (KL 5 kap. 35 §): the
registrator, nämndsekreterare and stabschef, whether they hold the role as a group (globally)
or locally on an organ, as the demo's stabschef and nämndsekreterare do. Answers
``user.has_perm("arenden.view_motion")`` without an object; grants nothing else."""

from __future__ import annotations

from arenden.organisation.models import Organ
from arenden.organisation.roles import BEVAKA_MOTIONER, MOTIONSBEVAKARE
from workflow import roles as workflow_roles
from workflow.engine import holding_local_role

RATT = ".".join(BEVAKA_MOTIONER)


class Motionsbevakning:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if perm != RATT or obj is not None or not user_obj.is_active:
            return False
        if not hasattr(user_obj, "_bevakar_motioner"):
            # one query at most, kept on the user object for the request
            user_obj._bevakar_motioner = (
                bool(set(MOTIONSBEVAKARE) & workflow_roles.global_roles(user_obj))
                or holding_local_role(Organ, MOTIONSBEVAKARE, user_obj).exists()
            )
        return user_obj._bevakar_motioner

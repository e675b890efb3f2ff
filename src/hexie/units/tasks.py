"""Background work of the registry. Runs inline when no broker is configured."""

import logging

from celery import shared_task
from django.utils import timezone

from hexie.core.errors import DomainError

from .importing import ImportFailed, import_units
from .invitations import private_root
from .models import ImportJob

logger = logging.getLogger(__name__)


@shared_task
def purge_invitation_lists() -> int:
    """Delete the invitation lists whose links have expired (daily; also done on access)."""
    from .invitations import purge_expired_lists

    return purge_expired_lists()


@shared_task
def run_import_job(job_id: int, base_url: str | None = None) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (ImportJob.Status.PENDING,):
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    try:
        report = import_units(job.created_by, job.file.path, original_name=job.original_name,
                              invite=job.invite, job=job, base_url=base_url)
    except ImportFailed as exc:
        job.status = ImportJob.Status.FAILED
        job.rows, job.error_count = exc.report.rows, exc.report.error_count
        job.errors = [e.as_dict() for e in exc.report.errors]
    except DomainError as exc:
        job.status = ImportJob.Status.FAILED
        job.error_count = 1
        job.errors = [{"row": 0, "column": "", "message": str(exc.message)}]
    except Exception:  # the job must end, and say so, whatever went wrong
        logger.exception("import job %s crashed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.error_count = 1
        job.errors = [{"row": 0, "column": "",
                       "message": "导入时发生系统错误，未写入任何数据。请联系管理员。"}]
    else:
        job.status = ImportJob.Status.SUCCEEDED
        job.rows = job.imported = report.rows
        job.region_code = report.region_code
        if report.invitation_path is not None:
            job.invitations = report.invitations
            job.invitation_file = str(report.invitation_path.relative_to(private_root()))
            job.invitations_expire_at = report.invitations_expire_at
    job.finished_at = timezone.now()
    job.save()
    return job.status

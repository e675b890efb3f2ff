"""Background work of the campaign. Runs inline when no broker is configured (settings)."""

from celery import shared_task

from .models import CampaignYear, InitiativeLetter
from .services import LetterFilter, deliver_batch, finish_delivery, letter_recipients

BATCH_SIZE = 2000


@shared_task
def send_initiative_letters(letter_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Deliver a letter to its recipients in batches, counting progress on the letter.

    Idempotent: a unit that already has the letter is skipped, so a retried or repeated run
    delivers nothing twice. Returns the number of new deliveries.
    """
    letter = InitiativeLetter.objects.only("id", "campaign_id", "filters").get(pk=letter_id)
    campaign = CampaignYear.objects.get(pk=letter.campaign_id)
    recipients = letter_recipients(campaign, LetterFilter.from_dict(letter.filters))
    delivered, last_id = 0, 0
    while True:
        ids = list(recipients.filter(pk__gt=last_id).order_by("pk")
                   .values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        delivered += deliver_batch(letter_id, ids)
        last_id = ids[-1]
    finish_delivery(letter_id)
    return delivered
